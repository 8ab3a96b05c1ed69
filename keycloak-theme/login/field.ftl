<#-- One macro per kind of form field on our pages, as keycloak.v2's field.ftl: the pages say which
     field they need, the markup (label above, aria-invalid, aria-describedby, error under the field)
     is written here once. Element ids are the tests' hooks (keycloak-theme/README.md): keep them. -->
<#import "woundwo.ftl" as ww>

<#-- aria-describedby from ids, skipping empty ones. -->
<#function describedBy ids>
    <#return ids?filter(id -> id?has_content)?join(" ")>
</#function>

<#-- Wrapper and label shared by every field with a label above it; attributes: extra attributes of the
     wrapper, as a hash. -->
<#macro group name label class="" id="" attributes={}>
    <div class="ww-field${class?has_content?then(" " + class, "")}"<#if id?has_content> id="${id}"</#if><#list attributes as key, value> ${key}="${value}"</#list>>
        <label for="${name}" class="ww-label">${label}</label>
        <#nested>
    </div>
</#macro>

<#-- The field's own error line under it, if any. -->
<#macro errorLine id error>
    <#if error?has_content>
        <p id="${id}" class="ww-field-error">${kcSanitize(error)?no_esc}</p>
    </#if>
</#macro>

<#-- The e-mail address (#username) with its live-check state (data-email-status on #ww-email-field) and
     the polite live region the check writes to. formError: id of a server-side error shown elsewhere on
     the page that concerns this field too. -->
<#macro email value formError="">
    <@group name="username" label=msg("email") class="ww-field--email" id="ww-email-field"
            attributes={"data-email-status": ww.emailCheckUrl()?has_content?then("idle", "disabled")}>
        <div class="ww-input-wrap">
            <input id="username" name="username" type="text" class="ww-input" value="${value}"
                   inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false"
                   dir="ltr" autofocus aria-describedby="${describedBy(["ww-email-message", formError])}"
                   <#if formError?has_content>aria-invalid="true"</#if>/>
            <span class="ww-state-icon" aria-hidden="true"></span>
        </div>
        <div id="ww-email-live" class="ww-email-live" aria-live="polite" aria-atomic="true">
            <p id="ww-email-message" class="ww-email-message"></p>
        </div>
    </@group>
    <#-- Texts for the live check, cloned by email-check.js; a template is never rendered. -->
    <template id="ww-email-texts">
        <span data-status="known">${msg("wwEmailKnown")}</span>
        <span data-status="pending">${msg("wwEmailPending", "@@since@@")}</span>
        <span data-status="unknown">${msg("wwEmailUnknown")}<#local contact = ww.localUrl("contactUrl")><#if contact?has_content> <a href="${contact}">${msg("wwEmailUnknownContact")}</a></#if></span>
        <span data-status="pending" data-after-reset>${msg("wwResetNoMailPending", "@@since@@")}</span>
        <span data-status="unknown" data-after-reset>${msg("wwResetNoMailUnknown")}<#if contact?has_content> <a href="${contact}">${msg("wwEmailUnknownContact")}</a></#if></span>
        <span data-status="invalid">${msg("wwEmailInvalid")}</span>
        <span data-status="throttled">${msg("wwEmailThrottled")}</span>
        <span data-status="unavailable">${msg("wwEmailUnavailable")}</span>
    </template>
</#macro>

<#-- A password with its show/hide button (Keycloak's passwordVisibility.js, loaded once per page).
     The nested content (a hint, a link) goes under the field, before its error. hintId: id of a hint in
     the nested content. error: the field's own error, shown under it with id errorId. formError: id of a
     form-wide error elsewhere on the page that concerns this field too. -->
<#macro password name label autocomplete autofocus=false hintId="" error="" errorId="input-error-${name}" formError="">
    <#local described = describedBy([hintId, error?has_content?then(errorId, ""), formError])>
    <@group name=name label=label>
        <div class="ww-input-group" dir="ltr">
            <input id="${name}" name="${name}" type="password" class="ww-input" autocomplete="${autocomplete}"<#if autofocus> autofocus</#if>
                   <#if described?has_content>aria-describedby="${described}"</#if><#if error?has_content || formError?has_content> aria-invalid="true"</#if>/>
            <button type="button" class="ww-pw-toggle" aria-controls="${name}" aria-label="${msg('showPassword')}" data-password-toggle
                    data-icon-show="ww-eye" data-icon-hide="ww-eye ww-eye--off"
                    data-label-show="${msg('showPassword')}" data-label-hide="${msg('hidePassword')}"><i class="ww-eye" aria-hidden="true"></i></button>
        </div>
        <#nested>
        <@errorLine id=errorId error=error/>
    </@group>
    <#if !wwPasswordVisibilityLoaded??>
        <#global wwPasswordVisibilityLoaded = true>
        <script type="module" src="${url.resourcesPath}/js/passwordVisibility.js"></script>
    </#if>
</#macro>

<#-- A checkbox with its label beside it; id: of the wrapper, for pages whose form contract names it. -->
<#macro checkbox name label checked=false value="" id="">
    <div class="ww-check"<#if id?has_content> id="${id}"</#if>>
        <input type="checkbox" id="${name}" name="${name}"<#if value?has_content> value="${value}"</#if><#if checked> checked</#if>>
        <label for="${name}">${label}</label>
    </div>
</#macro>

<#-- The form's main button, full width. -->
<#macro submit id label name="">
    <input class="ww-btn ww-btn--primary ww-btn--block" id="${id}"<#if name?has_content> name="${name}"</#if> type="submit" value="${label}"/>
</#macro>
