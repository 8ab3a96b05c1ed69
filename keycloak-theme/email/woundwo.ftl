<#-- Helpers shared by the WOUNDWO HTML and plain-text e-mails (plain strings, no markup). -->

<#-- Language of the e-mail (fr, de, en). -->
<#function lang>
    <#return (locale.language)!"en">
</#function>

<#-- A theme property, trimmed; an unresolved ${env...} placeholder counts as empty. -->
<#function prop key>
    <#local value = ((properties[key])!"")?trim>
    <#return value?starts_with(r"${")?then("", value)>
</#function>

<#-- A per-language property such as contactUrl_fr; languages without a key use the _en one. -->
<#function localProp name>
    <#return (properties[name + "_" + lang()])???then(prop(name + "_" + lang()), prop(name + "_en"))>
</#function>

<#-- The bridge help page in the e-mail's language, or "". -->
<#function helpUrl>
    <#local base = prop("bridgeUrl")?remove_ending("/")>
    <#return base?has_content?then(base + "/help?lang=" + lang(), "")>
</#function>

<#-- Where to sign in: signInUrl, else the realm's account page derived from the action link. -->
<#function signInUrl actionLink>
    <#if prop("signInUrl")?has_content>
        <#return prop("signInUrl")>
    </#if>
    <#local m = actionLink?matches(r"(https?://.+?/realms/[^/?#]+)/.*")>
    <#return m?then(m?groups[1] + "/account/", "")>
</#function>

<#-- "Hello Ann Smith," or "Hello," when the name is not known. -->
<#function greeting>
    <#local name = (((user.firstName)!"") + " " + ((user.lastName)!""))?trim>
    <#return name?has_content?then(msg("wwMailGreetingName", name), msg("wwMailGreeting"))>
</#function>
