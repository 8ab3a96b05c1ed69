<#import "template.ftl" as layout>
<#-- "Do you want to sign out?" (portal logout without id_token_hint). Same form contract as base. -->
<@layout.registrationLayout; section>
    <#if section = "header">
        ${msg("wwLogoutTitle")}
    <#elseif section = "form">
        <div id="kc-logout-confirm">
            <p class="instruction">${msg("wwLogoutText")}</p>
            <form class="form-actions" action="${url.logoutConfirmAction}" method="POST">
                <input type="hidden" name="session_code" value="${logoutConfirm.code}">
                <div id="kc-form-buttons" class="ww-actions">
                    <input class="ww-btn ww-btn--primary ww-btn--block" name="confirmLogout" id="kc-logout" type="submit" value="${msg("wwLogoutButton")}"/>
                </div>
            </form>
            <#if !logoutConfirm.skipLink && (client.baseUrl)?has_content>
                <p class="ww-back"><a id="ww-back-to-application" href="${client.baseUrl}">${msg("wwBackToApplication")}</a></p>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
